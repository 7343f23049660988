#!/usr/bin/python3
"""The PyTorch peer for `grounding bench` at the reference size: eager forward of a ViT-B/16 image
encoder (DINOv3's shape: 16-px patches, CLS + 4 registers, 12 layers of 768, 12 heads, MLP 3072,
201 tokens at 224 px; rotary embedding omitted, it is a few elementwise ops) and of the reference
fusion head (6-layer TransformerDecoder, D 512, 8 heads, FF 2048, 201 image tokens, 12 text tokens)
at batch 1 and 16. Random weights; min and median of the timed runs in milliseconds, as JSON.

usage: /usr/bin/python3 scripts/bench-pytorch.py [--threads N] [--iterations K]
Debian's PyTorch uses the BLAS that update-alternatives selects; install libopenblas0-pthread."""
import argparse, json, os, statistics, time
import torch
from torch import nn

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--iterations", type=int, default=10)
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
        self.img_proj, self.text_proj = nn.Linear(768, 512), nn.Linear(384, 512)
        self.decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(512, 8, 2048, 0.1, batch_first=True), 6)
        self.head = nn.Sequential(nn.LayerNorm(512), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 4))

    def forward(self, image, text, mask):
        out = self.decoder(self.text_proj(text), self.img_proj(image), tgt_key_padding_mask=mask == 0)
        return self.head(out[:, 0]).sigmoid()


def timed(fn):
    with torch.no_grad():
        for _ in range(2):
            fn()
        runs = []
        for _ in range(args.iterations):
            clock = time.perf_counter()
            fn()
            runs.append((time.perf_counter() - clock) * 1000)
    return {"minMs": round(min(runs), 2), "medianMs": round(statistics.median(runs), 2)}


vit, head = VitB16().eval(), Head().eval()
pixels = torch.randn(1, 3, 224, 224)
result = {"torch": torch.__version__, "threads": args.threads, "blas": os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3"),
          "vitB16": timed(lambda: vit(pixels))}
for batch in (1, 16):
    image, text = torch.randn(batch, 201, 768), torch.randn(batch, 12, 384)
    mask = torch.ones(batch, 12, dtype=torch.int64)
    result[f"headBatch{batch}"] = timed(lambda: head(image, text, mask))
print(json.dumps(result, indent=2))
