# The torch side of sweep.sh: python3 oracle.py OUT_DIR/<configuration> [float64] (a folder Oracle.java wrote).
# With float64, torch runs in double precision from the same float inputs: what float rounding alone accounts for.
import sys, os, numpy as np, torch
double = len(sys.argv) > 2 and sys.argv[2] == "float64"
torch.set_default_dtype(torch.float64 if double else torch.float32)
d = sys.argv[1]
meta = open(os.path.join(d, "meta.txt")).read().split("\n")
args = meta[0].split()
_, hidden, loss, opt, wd, conv, steps, batch, rows = args[:9]
sizes = [int(s) for s in (args[9].split(",") if len(args) > 9 else "20,32,16,3".split(","))]
steps, batch, rows = int(steps), int(batch), int(rows)
lr, g0, pad = float(meta[1].split()[0]), float(meta[1].split()[1]), int(meta[1].split()[2])
wd = float(meta[1].split("wdEffective=")[1])
k, n = sizes[0], sizes[-1]
f32 = lambda name: np.fromfile(os.path.join(d, name), dtype="<f4").astype(np.float64 if double else np.float32)
x = torch.tensor(f32("x.bin").reshape(-1, k))
labels = torch.tensor(np.fromfile(os.path.join(d, "labels.bin"), dtype="<i4").astype(np.int64))
t = torch.tensor(f32("t.bin").reshape(-1, n))
L = len(sizes) - 1
Ws, Bs = [], []
for l in range(L):
    Ws.append(torch.tensor(f32(f"w{l}_init.bin").reshape(sizes[l], sizes[l + 1]).T.copy()).requires_grad_())
    Bs.append(torch.tensor(f32(f"b{l}_init.bin")).requires_grad_())
act = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "identity": lambda z: z}[hidden]

def logits(xb):
    h = xb
    for l in range(L):
        z = h @ Ws[l].T + Bs[l]
        h = act(z) if l < L - 1 else z
    return h

def lossf(xb, start, m):
    z = logits(xb)
    if loss == "ce":
        return torch.nn.functional.cross_entropy(z, labels[pad + start: pad + start + m])
    if loss == "bce":
        return torch.nn.functional.binary_cross_entropy_with_logits(z, t[pad + start: pad + start + m])
    return torch.nn.functional.mse_loss(z, t[pad + start: pad + start + m])

params = [p for l in range(L) for p in (Ws[l], Bs[l])]
if opt == "sgd": o = torch.optim.SGD(params, lr=lr, weight_decay=wd)
elif opt == "momentum": o = torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=wd)
elif opt == "nesterov": o = torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True, weight_decay=wd)
elif opt == "adam": o = torch.optim.Adam(params, lr=lr, weight_decay=wd)
elif opt == "adamw": o = torch.optim.AdamW(params, lr=lr, weight_decay=wd)

batches = [tuple(map(int, s.split())) for s in open(os.path.join(d, "batches.txt")).read().split("\n") if s]
# gradients alone
m0 = min(batch, rows)
v = lossf(x[pad:pad + m0], 0, m0)
(v * (m0 if conv == "sum" else 1)).backward()
worst_g = 0
for l in range(L):
    for name, mine, theirs in (("gw", f32(f"gw{l}.bin").reshape(sizes[l], sizes[l + 1]), Ws[l].grad.T.numpy()),
                               ("gb", f32(f"gb{l}.bin"), Bs[l].grad.numpy())):
        scale = np.abs(theirs).max() + 1e-30
        worst_g = max(worst_g, np.abs(mine - theirs).max() / scale)
print(f"first loss java {g0:.9g} torch {v.item():.9g} relerr {abs(g0 - v.item()) / abs(v.item()):.2e}; grad max err/max|g| {worst_g:.2e}")
o.zero_grad()
jl = [float(s) for s in open(os.path.join(d, "losses.txt")).read().split()]
worst_l = 0
for s, (start, m) in enumerate(batches):
    o.zero_grad()
    v = lossf(x[pad + start: pad + start + m], start, m)
    (v * (m if conv == "sum" else 1)).backward()
    o.step()
    worst_l = max(worst_l, abs(jl[s] - v.item()) / max(abs(v.item()), 1e-12))
worst_p = 0
for l in range(L):
    for mine, theirs in ((f32(f"w{l}_final.bin").reshape(sizes[l], sizes[l + 1]), Ws[l].detach().T.numpy()),
                         (f32(f"b{l}_final.bin"), Bs[l].detach().numpy())):
        worst_p = max(worst_p, np.abs(mine - theirs).max() / (np.abs(theirs).max() + 1e-30))
print(f"{' '.join(args[1:])}: steps {len(batches)} loss max relerr {worst_l:.2e} (last java {jl[-1]:.7g} torch {v.item():.7g}); final params max err/max|p| {worst_p:.2e}")
