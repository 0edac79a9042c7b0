"""
Each request runs with room on CPython's frame stack (`reserved_stack`, applied in bureau/wsgi.py).

CPython 3.11–3.13 keep a thread's Python frames in chunks of at least 16 KiB. A call whose frame does
not fit the current chunk maps a new one (`mmap`), and returning from it unmaps the chunk at once
(`munmap`, Python/pystate.c `push_chunk` / `_PyThreadState_PopFrame`; CPython issue gh-142183, fixed in
3.14 by keeping one chunk). A page that calls a function thousands of times at the depth where a chunk
ends (a template's loop over a list's rows) pays a map, an unmap and a page fault for each call. Where
that depth falls depends on how deep the server's own frames are: the person list under gunicorn paid
about 2,000 of them a page, 16 ms of a 44 ms page in the kernel, while the same page in a test process
did not (measured: 26 ms with the reserve below; the load at 20 clients went from 38 to 73 pages a second).

The reserve: the request is called from a frame so large that it never fits the chunk in use, so
CPython maps a fresh chunk of 128 KiB for it, of which the frame fills a little under half; the
request's own frames then grow into the ~70 KiB above it, the same room at the same place for every
request, and the chunk is unmapped once, when the request returns.
"""

from collections.abc import Callable

# CPython's rule (push_chunk): a new chunk is the smallest power of two of at least 16 KiB that holds
# the frame's slots plus 1,000 more, 8 bytes a slot. A frame of SLOTS locals asks for just over half
# of RESERVED_CHUNK, so it is given RESERVED_CHUNK and leaves the rest of it free.
SLOT_BYTES = 8
CHUNK_OVERHEAD_SLOTS = 1000
RESERVED_CHUNK = 128 * 1024
SLOTS = RESERVED_CHUNK // 2 // SLOT_BYTES - CHUNK_OVERHEAD_SLOTS + 8


def _reserving_caller(slots: int) -> Callable:
    """`(fn, *args, **kwargs) -> fn(*args, **kwargs)`, from a frame of `slots` local variables (never assigned)."""
    names = " = ".join(f"_{index}" for index in range(slots))
    # The names only exist in the code object's table of locals: the assignment is never run.
    source = f"def reserved_stack_call(fn, /, *args, **kwargs):\n    if False:\n        {names} = None\n    return fn(*args, **kwargs)\n"
    namespace: dict = {}
    exec(compile(source, __name__, "exec"), namespace)  # noqa: S102 - generated above, no outside input
    return namespace["reserved_stack_call"]


reserved_stack_call = _reserving_caller(SLOTS)


def reserved_stack(application: Callable) -> Callable:
    """A WSGI application that calls `application` with the frame stack's room reserved (module docstring)."""

    def with_reserved_stack(environ, start_response):
        return reserved_stack_call(application, environ, start_response)

    with_reserved_stack.wrapped = application
    return with_reserved_stack
