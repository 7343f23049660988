#!/usr/bin/python3
"""Builds the reference GroundingModel in PyTorch (Debian's python3-torch), saves its state_dict()
with torch.save, and writes one batch of inputs with the boxes PyTorch's forward gives for them.

The encoders are stand-ins that hold parameters under the real models' Hugging Face names and
shapes (DINOv3 ViT-B/16 under img_model., BGE-small under text_model.), so the file has the real
size (about 580 MB); the head is the reference's: Linear 768->512 and 384->512 projections, a
6-layer post-norm TransformerDecoder (d_model 512, 8 heads, feed-forward 2048, ReLU, dropout 0.1),
then LayerNorm -> Linear(512, 256) -> ReLU -> Linear(256, 4) -> sigmoid on the decoder's position 0.

usage: reference_model.py OUT_FOLDER [--small-encoders]
writes best_model_iou.pt, image_tokens.f32 [2,201,768], text_tokens.f32 [2,7,384],
text_mask.i64 [2,7], boxes.f32 [2,4] (little-endian) and meta.json."""
import json, sys, time
import torch
from torch import nn

torch.manual_seed(20261202)


def nest(root, name, shape):
    *path, leaf = name.split(".")
    module = root
    for part in path:
        if not hasattr(module, part):
            module.add_module(part, nn.Module())
        module = getattr(module, part)
    module.register_parameter(leaf, nn.Parameter(torch.randn(*shape) * 0.02, requires_grad=False))


def dinov3_names():
    yield "embeddings.cls_token", (1, 1, 768)
    yield "embeddings.mask_token", (1, 1, 768)
    yield "embeddings.register_tokens", (1, 4, 768)
    yield "embeddings.patch_embeddings.weight", (768, 3, 16, 16)
    yield "embeddings.patch_embeddings.bias", (768,)
    for i in range(12):
        p = f"layer.{i}."
        yield p + "norm1.weight", (768,); yield p + "norm1.bias", (768,)
        yield p + "attention.q_proj.weight", (768, 768); yield p + "attention.q_proj.bias", (768,)
        yield p + "attention.k_proj.weight", (768, 768)
        yield p + "attention.v_proj.weight", (768, 768); yield p + "attention.v_proj.bias", (768,)
        yield p + "attention.o_proj.weight", (768, 768); yield p + "attention.o_proj.bias", (768,)
        yield p + "layer_scale1.lambda1", (768,)
        yield p + "norm2.weight", (768,); yield p + "norm2.bias", (768,)
        yield p + "mlp.up_proj.weight", (3072, 768); yield p + "mlp.up_proj.bias", (3072,)
        yield p + "mlp.down_proj.weight", (768, 3072); yield p + "mlp.down_proj.bias", (768,)
        yield p + "layer_scale2.lambda1", (768,)
    yield "norm.weight", (768,); yield "norm.bias", (768,)


def bge_names():
    yield "embeddings.word_embeddings.weight", (30522, 384)
    yield "embeddings.position_embeddings.weight", (512, 384)
    yield "embeddings.token_type_embeddings.weight", (2, 384)
    yield "embeddings.LayerNorm.weight", (384,); yield "embeddings.LayerNorm.bias", (384,)
    for i in range(12):
        p = f"encoder.layer.{i}."
        for n in ("query", "key", "value"):
            yield p + f"attention.self.{n}.weight", (384, 384); yield p + f"attention.self.{n}.bias", (384,)
        yield p + "attention.output.dense.weight", (384, 384); yield p + "attention.output.dense.bias", (384,)
        yield p + "attention.output.LayerNorm.weight", (384,); yield p + "attention.output.LayerNorm.bias", (384,)
        yield p + "intermediate.dense.weight", (1536, 384); yield p + "intermediate.dense.bias", (1536,)
        yield p + "output.dense.weight", (384, 1536); yield p + "output.dense.bias", (384,)
        yield p + "output.LayerNorm.weight", (384,); yield p + "output.LayerNorm.bias", (384,)
    yield "pooler.dense.weight", (384, 384); yield "pooler.dense.bias", (384,)


def stand_in(names, small):
    module = nn.Module()
    for name, shape in names:
        nest(module, name, (1,) * len(shape) if small else shape)
    return module


class GroundingModel(nn.Module):
    def __init__(self, img_model, text_model, d_model=512, nhead=8, num_layers=6, dim_feedforward=2048, dropout=0.1):
        super().__init__()
        self.img_model = img_model
        self.text_model = text_model
        self.img_proj = nn.Linear(768, d_model)
        self.text_proj = nn.Linear(384, d_model)
        layer = nn.TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout, batch_first=True)
        self.decoder = nn.TransformerDecoder(layer, num_layers)
        self.head = nn.Sequential(nn.LayerNorm(d_model), nn.Linear(d_model, 256), nn.ReLU(), nn.Linear(256, 4))

    def fuse(self, image_tokens, text_tokens, attention_mask):
        memory = self.img_proj(image_tokens)
        tgt = self.text_proj(text_tokens)
        out = self.decoder(tgt, memory, tgt_key_padding_mask=attention_mask == 0)
        return self.head(out[:, 0]).sigmoid()


def main():
    out = sys.argv[1]
    small = "--small-encoders" in sys.argv
    model = GroundingModel(stand_in(dinov3_names(), small), stand_in(bge_names(), small)).eval()
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    if not small:
        assert total == 144_968_836, total
    assert trainable == 25_948_420, trainable
    clock = time.perf_counter()
    torch.save(model.state_dict(), f"{out}/best_model_iou.pt")
    save_seconds = time.perf_counter() - clock
    image = torch.randn(2, 201, 768)
    text = torch.randn(2, 7, 384)
    mask = torch.tensor([[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0, 0]], dtype=torch.int64)
    with torch.no_grad():
        boxes = model.fuse(image, text, mask)
    for name, tensor in [("image_tokens.f32", image), ("text_tokens.f32", text), ("text_mask.i64", mask), ("boxes.f32", boxes)]:
        with open(f"{out}/{name}", "wb") as f:
            f.write(tensor.contiguous().numpy().tobytes())
    json.dump({"torch": torch.__version__, "parameters": total, "trainable": trainable, "saveSeconds": save_seconds,
               "boxes": boxes.tolist()}, open(f"{out}/meta.json", "w"), indent=2)


main()
