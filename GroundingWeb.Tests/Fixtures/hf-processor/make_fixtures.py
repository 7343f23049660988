#!/usr/bin/python3
"""Writes the hf-processor fixtures: Hugging Face's DINOv3 image preprocessing done by Debian's
torchvision. Rescale 8-bit RGB by 1/255 to float32, resize to 224x224 with
torchvision.transforms.functional.resize(..., BILINEAR, antialias=True) on the float image, then
normalise with the ImageNet mean and std. Inputs are the PNGs of ../resize (decoded by OpenCV,
converted to RGB). Run from this folder: /usr/bin/python3 make_fixtures.py"""
import gzip, hashlib, json, sys
import cv2, numpy, torch, torchvision
from torchvision.transforms import InterpolationMode
from torchvision.transforms import functional as F

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
SIZE = 224
INPUTS = ["pub01_noise_37x23", "pub02_photo_451x300", "pub05_photo_225x223", "pub06_photo_1000x50",
          "pub07_noise_50x1000", "pub08_photo_448x448"]

torch.set_num_threads(1)
entries = []
for name in INPUTS:
    rgb = cv2.cvtColor(cv2.imread(f"../resize/{name}.png", cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    x = torch.from_numpy(numpy.ascontiguousarray(rgb)).permute(2, 0, 1).to(torch.float32) * (1.0 / 255.0)
    x = F.resize(x, [SIZE, SIZE], interpolation=InterpolationMode.BILINEAR, antialias=True)
    x = F.normalize(x, MEAN, STD)
    data = x.contiguous().numpy().astype("<f4").tobytes()
    with gzip.GzipFile(f"{name}.chw.f32.gz", "wb", mtime=0) as out:
        out.write(data)
    entries.append({"name": name, "input": f"../resize/{name}.png", "width": int(rgb.shape[1]), "height": int(rgb.shape[0]),
                    "rgbSha256": hashlib.sha256(rgb.tobytes()).hexdigest(), "output": f"{name}.chw.f32.gz"})

json.dump({"tool": f"torch {torch.__version__}, torchvision {torchvision.__version__}, opencv {cv2.__version__}, "
                   f"numpy {numpy.__version__}, python {sys.version.split()[0]}",
           "size": SIZE, "mean": MEAN, "std": STD, "images": entries}, open("manifest.json", "w"), indent=2)
