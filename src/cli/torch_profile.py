"""Per-op CPU time of PyTorch's ConvNet-3 training step and inference batch, for `npm run profile`.

The model and step are those of ../shared/bench/torch_convnet3.py (the bench's reference): three blocks of
conv3x3(width) -> GroupNorm(width, width) (= instance norm, affine) -> ReLU -> AvgPool2d(2), then
Linear(width*4*4, 10); batch of random 32x32x3 inputs; CrossEntropyLoss; SGD(lr 0.01, momentum 0.9, wd 5e-4).

torch.profiler records every op; each op is attributed to the phase region around it (forward / backward /
optimizer, or infer) and to its outermost aten:: op in that region (its inclusive CPU time, so e.g. the fill inside
avg_pool2d_backward counts for the pool). Time in a region outside any aten:: op (autograd engine, Python) is left
to the caller as "outside kernels" (step wall time minus the ops).

aten::convolution_backward computes the input and the weight gradient in one op. It is split into
"aten::convolution_backward[input]" and "[weight]" by the ratio of the two measured in isolation on the same
shapes (torch.ops.aten.convolution_backward with one output at a time); the split is reported.

Usage: python3 torch_profile.py [--width 128] [--batch 64] [--threads 1] [--warmup 2] [--steps 5]
       [--infer-steps 10]   -> one JSON object on stdout.
"""
import argparse, json, statistics, time
import torch, torch.nn as nn
from torch.profiler import profile, ProfilerActivity, record_function


def convnet3(width, classes=10):
    layers, c = [], 3
    for _ in range(3):
        layers += [nn.Conv2d(c, width, 3, padding=1), nn.GroupNorm(width, width, affine=True), nn.ReLU(),
                   nn.AvgPool2d(2)]
        c = width
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(width * 4 * 4, classes))


REGIONS = {"lab::forward": "forward", "lab::backward": "backward", "lab::optimizer": "optimizer", "lab::infer": "infer"}


def phase_of(e):
    p = e.cpu_parent
    while p is not None:
        if p.name in REGIONS:
            return REGIONS[p.name]
        p = p.cpu_parent
    return None


def outermost_aten(e):
    """True when e is an aten:: op with no aten:: ancestor."""
    if not e.name.startswith("aten::"):
        return False
    p = e.cpu_parent
    while p is not None:
        if p.name.startswith("aten::"):
            return False
        p = p.cpu_parent
    return True


def aggregate(events, split):
    """{(phase, op): [calls, ms]} over the outermost aten ops; convolution_backward split by `split`."""
    agg = {}

    def add(phase, op, ms, layer=None):
        a = agg.setdefault((phase, op, layer), [0, 0.0])
        a[0] += 1
        a[1] += ms

    for e in events:
        if not outermost_aten(e):
            continue
        phase = phase_of(e)
        if phase is None:
            continue
        ms = e.cpu_time_total / 1000.0
        shapes = e.input_shapes or []
        if e.name == "aten::convolution_backward":
            x = tuple(shapes[1]) if len(shapes) > 1 else None
            share = split.get(x, None)
            if share is None:
                add(phase, e.name, ms, layer_of(x))
            elif share == 0:  # the first layer: no input gradient
                add(phase, "aten::convolution_backward[weight]", ms, layer_of(x))
            else:
                add(phase, "aten::convolution_backward[input]", ms * share, layer_of(x))
                add(phase, "aten::convolution_backward[weight]", ms * (1 - share), layer_of(x))
        elif "conv" in e.name:
            add(phase, e.name, ms, layer_of(tuple(shapes[0]) if shapes else None))
        else:
            add(phase, e.name, ms)
    return [dict({"op": op, "phase": ph, "calls": c, "ms": round(ms, 4)}, **({"layer": ly} if ly else {}))
            for (ph, op, ly), (c, ms) in agg.items()]


def layer_of(shape):
    """'H×W×C' of an NCHW input shape (the lab's NHWC order), or None"""
    return f"{shape[2]}×{shape[3]}×{shape[1]}" if shape and len(shape) == 4 else None


def conv_split(model, x, reps=3):
    """Per conv layer: ms of the input gradient and of the weight(+bias) gradient alone, on the step's shapes."""
    convs = [m for m in model if isinstance(m, nn.Conv2d)]
    saved = {}

    def fwd_hook(mod, inp, out):
        saved[mod] = {"x": inp[0].detach()}
        out.register_hook(lambda g: saved[mod].__setitem__("dy", g.detach()))

    hs = [c.register_forward_hook(fwd_hook) for c in convs]
    nn.CrossEntropyLoss()(model(x), torch.zeros(x.shape[0], dtype=torch.long)).backward()
    for h in hs:
        h.remove()
    model.zero_grad()
    out, split = [], {}
    for i, c in enumerate(convs):
        xi, dy = saved[c]["x"], saved[c]["dy"]

        def run(mask):
            ts = []
            for _ in range(reps):
                t = time.perf_counter()
                torch.ops.aten.convolution_backward(
                    dy, xi, c.weight.detach(), [c.out_channels], list(c.stride), list(c.padding), list(c.dilation),
                    False, [0, 0], 1, mask)
                ts.append((time.perf_counter() - t) * 1000)
            return statistics.median(ts)

        # the first layer's input is the image batch: autograd computes no input gradient there
        needs_input = i > 0
        t_in = run([True, False, False]) if needs_input else 0.0
        t_w = run([False, True, True])
        share = t_in / (t_in + t_w) if t_in + t_w > 0 else 0.0
        split[tuple(xi.shape)] = share
        out.append({"layer": i + 1, "input": list(xi.shape), "inputGradMs": round(t_in, 3),
                    "weightGradMs": round(t_w, 3), "inputShare": round(share, 4)})
    return split, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--infer-steps", type=int, default=10)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = convnet3(a.width)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.rand(a.batch, 3, 32, 32) * 4 - 2
    y = torch.randint(0, 10, (a.batch,))
    loss = nn.CrossEntropyLoss()

    def train():
        with record_function("lab::optimizer"):
            opt.zero_grad()
        with record_function("lab::forward"):
            l = loss(model(x), y)
        with record_function("lab::backward"):
            l.backward()
        with record_function("lab::optimizer"):
            opt.step()

    def infer():
        with torch.no_grad(), record_function("lab::infer"):
            model(x)

    def timed(fn, n):
        """wall ms of each call, and the mean CPU ms (process_time: robust to other processes on the cores)"""
        ts, c = [], time.process_time()
        for _ in range(n):
            t = time.perf_counter()
            fn()
            ts.append((time.perf_counter() - t) * 1000)
        return ts, (time.process_time() - c) * 1000 / n

    # unprofiled step times (the profiler adds a little per op)
    for _ in range(a.warmup):
        train()
    plain_train, plain_train_cpu = timed(train, a.steps)
    split, split_info = conv_split(model, x)

    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        train_ms, train_cpu = timed(train, a.steps)
    train_ops = aggregate(prof.events(), split)

    for _ in range(a.warmup):
        infer()
    plain_infer, plain_infer_cpu = timed(infer, a.infer_steps)
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        infer_ms, infer_cpu = timed(infer, a.infer_steps)
    infer_ops = aggregate(prof.events(), split)

    r = lambda v: [round(t, 3) for t in v]
    print(json.dumps({
        "torch": torch.__version__, "threads": a.threads, "width": a.width, "batch": a.batch,
        "train": {"steps": a.steps, "warmup": a.warmup, "stepMsEach": r(train_ms), "cpuMs": round(train_cpu, 3),
                  "plainStepMsEach": r(plain_train), "plainCpuMs": round(plain_train_cpu, 3), "ops": train_ops},
        "infer": {"steps": a.infer_steps, "warmup": a.warmup, "stepMsEach": r(infer_ms), "cpuMs": round(infer_cpu, 3),
                  "plainStepMsEach": r(plain_infer), "plainCpuMs": round(plain_infer_cpu, 3), "ops": infer_ops},
        "convBackwardSplit": split_info,
    }))


if __name__ == "__main__":
    main()
