"""PyTorch's parameters after 3 steps of each optimizer, the oracle of OptimizerTorchTest.

Run: /usr/bin/python3 torch_optimizers.py  (Debian's python3-torch, torch 1.13, CPU, float32)

Two parameters shaped like a Dense(2, 2) layer, W (4 values) and b (2 values), start from fixed values; at step
t (1, 2, 3) their gradients are set to fixed arrays (no backward pass: this checks only the update rules). Prints
one line per case: name, then the 6 values (W then b) after 3 steps, as float32 printed with 9 significant digits.
"""
import torch

W0 = [0.5, -1.25, 2.0, 0.03125]
B0 = [-0.75, 0.1]
GRADS = [  # step 1, 2, 3: W gradients then b gradients
    ([0.2, -0.4, 1.5, 0.0], [0.3, -0.05]),
    ([-0.1, 0.6, 1.25, 0.01], [0.25, 0.02]),
    ([0.05, -0.3, 0.9, -0.02], [-0.15, 0.04]),
]

CASES = [
    ("sgd", lambda p: torch.optim.SGD(p, lr=0.1)),
    ("sgd-wd", lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=0.05)),
    ("momentum", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    ("momentum-wd", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.05)),
    ("nesterov", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)),
    ("adam", lambda p: torch.optim.Adam(p, lr=0.01)),
    ("adam-wd", lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.05)),
    ("adam-betas", lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6)),
    ("adamw-wd", lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.05)),
]

for name, make in CASES:
    w = torch.tensor(W0, dtype=torch.float32, requires_grad=True)
    b = torch.tensor(B0, dtype=torch.float32, requires_grad=True)
    opt = make([w, b])
    for gw, gb in GRADS:
        w.grad = torch.tensor(gw, dtype=torch.float32)
        b.grad = torch.tensor(gb, dtype=torch.float32)
        opt.step()
    print(name, " ".join("%.9g" % x for x in w.tolist() + b.tolist()))
