"""torch_heap.py - keeps a PyTorch peer's freed memory in its heap, so that its
warm steps do not fault pages in again, and counts the page faults per step.

PyTorch on the CPU has no caching allocator: every tensor is a posix_memalign
and a free. With glibc's defaults the heap's top is given back to the kernel
(brk down) whenever more than M_TRIM_THRESHOLD is free there, and the next
step's activations fault it in again, page by page. Measured on our 2-core
EPYC machine (a VM with PTI), each minor fault costs ~15 us, and bench_gpt's
PyTorch step took 0 to ~3,000 of them depending on the step and on the
process's heap layout (ASLR, hash seed): steps without faults ~57 ms, with
faults 75-100 ms, so the median over a few steps came out ~57 or ~80 ms from
one process to the next. A tuned PyTorch run keeps freed memory: PyTorch's
own launcher (python -m torch.backends.xeon.run_cpu) preloads TCMalloc or
jemalloc for this. glibc's documented knobs do it without a preload: no
trimming, and a fixed
mmap threshold above every tensor of these models (setting either turns
glibc's dynamic threshold off). The same as running the peer with
MALLOC_TRIM_THRESHOLD_ and MALLOC_MMAP_THRESHOLD_ set.
"""
import ctypes
import ctypes.util
import resource

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
TRIM_OFF = 1 << 30      # never give the heap's top back to the kernel
MMAP_ABOVE = 32 << 20   # glibc's largest dynamic threshold on 64 bits


def keep_freed_memory():
    """Sets glibc's trim and mmap thresholds; False where the C library is not
    glibc or refuses (the peer then runs with its allocator's defaults)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return mallopt(M_TRIM_THRESHOLD, TRIM_OFF) == 1 and mallopt(M_MMAP_THRESHOLD, MMAP_ABOVE) == 1


def minor_faults():
    """This process's minor page faults so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
