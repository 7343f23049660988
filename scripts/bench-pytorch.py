#!/usr/bin/python3
"""The PyTorch peer for `grounding bench` (which runs it with --pytorch): eager forward of a ViT-B/16 image
encoder (DINOv3's shape: 16-px patches, CLS + 4 registers, 12 layers of 768, 12 heads, MLP 3072,
201 tokens at 224 px; rotary embedding omitted, it is a few elementwise ops), the fusion head
(TransformerDecoder, post-norm, ReLU, as the reference; shapes from the arguments, by default the
reference: D 512, 6 layers, 8 heads, FF 2048 over 201 x 768 image and 12 x 384 text tokens) at batch 1
and 16, and one training step of that head (forward, DIoU loss, backward, AdamW) at the training batch.
Random weights; min and median of the timed runs in milliseconds, as one JSON document on stdout.

usage: /usr/bin/python3 scripts/bench-pytorch.py [--threads N] [--iterations K] [--no-vit] [shape options]
Debian's PyTorch uses the BLAS that update-alternatives selects; install libopenblas0-pthread."""
import argparse, json, os, statistics, time
import torch
from torch import nn

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--iterations", type=int, default=10)
parser.add_argument("--no-vit", action="store_true", help="skip the ViT-B/16 forward (the bundle's encoder is another one)")
parser.add_argument("--image-tokens", type=int, default=201)
parser.add_argument("--image-dim", type=int, default=768)
parser.add_argument("--text-tokens", type=int, default=12)
parser.add_argument("--text-dim", type=int, default=384)
parser.add_argument("--model-dim", type=int, default=512)
parser.add_argument("--layers", type=int, default=6)
parser.add_argument("--heads", type=int, default=8)
parser.add_argument("--feed-forward", type=int, default=2048)
parser.add_argument("--train-batch", type=int, default=32)
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(1)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(768), nn.LayerNorm(768)
        self.attn = nn.MultiheadAttention(768, 12, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(768, 3072), nn.GELU(), nn.Linear(3072, 768))
        self.ls1, self.ls2 = nn.Parameter(torch.full((768,), 0.1)), nn.Parameter(torch.full((768,), 0.1))

    def forward(self, x):
        h = self.norm1(x)
        x = x + self.ls1 * self.attn(h, h, h, need_weights=False)[0]
        return x + self.ls2 * self.mlp(self.norm2(x))


class VitB16(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch = nn.Conv2d(3, 768, 16, 16)
        self.prefix = nn.Parameter(torch.randn(1, 5, 768) * 0.02)
        self.blocks = nn.ModuleList(Block() for _ in range(12))
        self.norm = nn.LayerNorm(768)

    def forward(self, pixels):
        x = self.patch(pixels).flatten(2).transpose(1, 2)
        x = torch.cat([self.prefix.expand(x.shape[0], -1, -1), x], 1)
        for block in self.blocks:
            x = block(x)
        return self.norm(x)


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        d = args.model_dim
        self.img_proj, self.text_proj = nn.Linear(args.image_dim, d), nn.Linear(args.text_dim, d)
        self.decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(d, args.heads, args.feed_forward, 0.1, batch_first=True), args.layers)
        self.head = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, 256), nn.ReLU(), nn.Linear(256, 4), nn.Sigmoid())

    def forward(self, image, text, mask):
        out = self.decoder(self.text_proj(text), self.img_proj(image), tgt_key_padding_mask=mask == 0)
        return self.head(out[:, 0])


def distance_iou_loss(predicted, target, eps=1e-7):
    x1, y1, x2, y2 = predicted.unbind(-1)
    gx1, gy1, gx2, gy2 = target.unbind(-1)
    inter = (torch.min(x2, gx2) - torch.max(x1, gx1)).clamp(min=0) * (torch.min(y2, gy2) - torch.max(y1, gy1)).clamp(min=0)
    union = (x2 - x1) * (y2 - y1) + (gx2 - gx1) * (gy2 - gy1) - inter
    diagonal = (torch.max(x2, gx2) - torch.min(x1, gx1)) ** 2 + (torch.max(y2, gy2) - torch.min(y1, gy1)) ** 2 + eps
    centres = ((x1 + x2) / 2 - (gx1 + gx2) / 2) ** 2 + ((y1 + y2) / 2 - (gy1 + gy2) / 2) ** 2
    return (1 - inter / (union + eps) + centres / diagonal).mean()


def timed(fn, grad=False):
    with torch.set_grad_enabled(grad):
        for _ in range(2):
            fn()
        runs = []
        for _ in range(args.iterations):
            clock = time.perf_counter()
            fn()
            runs.append((time.perf_counter() - clock) * 1000)
    return {"minMs": round(min(runs), 2), "medianMs": round(statistics.median(runs), 2)}


def batch_of(size):
    image, text = torch.randn(size, args.image_tokens, args.image_dim), torch.randn(size, args.text_tokens, args.text_dim)
    return image, text, torch.ones(size, args.text_tokens, dtype=torch.int64)


head = Head().eval()
result = {"torch": torch.__version__, "threads": args.threads, "blas": os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3"),
          "head": {k: getattr(args, k) for k in ("image_tokens", "image_dim", "text_tokens", "text_dim", "model_dim", "layers", "heads", "feed_forward")}}
if not args.no_vit:
    vit, pixels = VitB16().eval(), torch.randn(1, 3, 224, 224)
    result["vitB16"] = timed(lambda: vit(pixels))
for batch in (1, 16):
    inputs = batch_of(batch)
    result[f"headBatch{batch}"] = timed(lambda: head(*inputs))

head.train()
optimizer = torch.optim.AdamW(head.parameters(), lr=1e-4, weight_decay=1e-4)
image, text, mask = batch_of(args.train_batch)
corner = torch.rand(args.train_batch, 2) * 0.5
target = torch.cat([corner, corner + 0.25 + torch.rand(args.train_batch, 2) * 0.25], 1)


def train_step():
    loss = distance_iou_loss(head(image, text, mask), target)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


result["trainStep"] = dict(timed(train_step, grad=True), batch=args.train_batch)
print(json.dumps(result, indent=2))
