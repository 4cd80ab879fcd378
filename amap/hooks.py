"""One registry for what higher apps add to lower ones, shaped like Wagtail's
`wagtail.hooks`.

A lower app declares a hook in its `hooks.py`: the hook's name (a constant),
the dataclass its functions return, and the function that calls them all
(`waiting_for_organisers`, `collected_lines`, `cycle_closed`…). A higher app
registers its functions in its own `hooks.py`:

    # amap/producers/hooks.py
    from amap import hooks
    from amap.members.hooks import ORGANISER_WAITING, Waiting

    @hooks.register(ORGANISER_WAITING)
    def organiser_waiting(user, collectives): ...

so the lower app never imports the higher one. Every installed app's `hooks`
module is imported the first time a hook is read, as Django's admin finds
`admin.py` modules.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.utils.module_loading import autodiscover_modules

_hooks: dict[str, list[Callable]] = defaultdict(list)
_searched = False


def register(hook_name: str, fn: Callable | None = None):
    """Add `fn` to the hook (once, however often it is registered); usable as
    `@register(hook_name)`."""
    if fn is None:

        def decorator(fn: Callable) -> Callable:
            return register(hook_name, fn)

        return decorator
    if fn not in _hooks[hook_name]:
        _hooks[hook_name].append(fn)
    return fn


def _search_for_hooks() -> None:
    global _searched
    if not _searched:
        _searched = True
        autodiscover_modules("hooks")


def get_hooks(hook_name: str) -> list[Callable]:
    """The functions registered for the hook, in the order of registration
    (the order of `INSTALLED_APPS`)."""
    _search_for_hooks()
    return list(_hooks[hook_name])


@contextmanager
def register_temporarily(hook_name: str, fn: Callable) -> Iterator[Callable]:
    """Register `fn` for the duration of a `with` block (in tests); a function
    already registered stays so afterwards."""
    _search_for_hooks()
    already = fn in _hooks[hook_name]
    register(hook_name, fn)
    try:
        yield fn
    finally:
        if not already:
            _hooks[hook_name].remove(fn)
