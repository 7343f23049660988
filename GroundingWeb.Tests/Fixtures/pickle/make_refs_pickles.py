"""Writes refs(unc)-shaped pickles in every protocol Python 3.11 has (0 to 5), as the refer toolkit's
refs(unc).p is a pickle of a list of ref dicts. Run with Debian's /usr/bin/python3 (3.11.2):
    /usr/bin/python3 make_refs_pickles.py
"""
import pickle

refs = [
    {
        "ref_id": 1, "ann_id": 10, "image_id": 100, "split": "val", "category_id": 1,
        "file_name": "COCO_train2014_000000000100_10.jpg", "sent_ids": [5, 6],
        "sentences": [
            {"raw": "The Cat", "sent": "the cat", "sent_id": 5, "tokens": ["the", "cat"]},
            {"raw": "Cat, on the left \u00e9", "sent": "cat on the left \u00e9", "sent_id": 6,
             "tokens": ["cat", "on", "the", "left", "\u00e9"]},
        ],
    },
    {
        "ref_id": 2, "ann_id": 11, "image_id": 100, "split": "testA", "category_id": 18,
        "file_name": "COCO_train2014_000000000100_11.jpg", "sent_ids": [7],
        "sentences": [{"raw": "dog", "sent": "dog", "sent_id": 7, "tokens": ["dog"]}],
    },
]

for protocol in range(0, pickle.HIGHEST_PROTOCOL + 1):
    with open(f"refs-protocol{protocol}.p", "wb") as f:
        pickle.dump(refs, f, protocol=protocol)
