from amap import hooks


def test_a_function_is_registered_once_and_only_while_temporary():
    def provider():
        return "found"

    with hooks.register_temporarily("test.hook", provider):
        hooks.register("test.hook", provider)
        assert hooks.get_hooks("test.hook") == [provider]
    assert hooks.get_hooks("test.hook") == []


def test_register_works_as_a_decorator():
    @hooks.register("test.decorated")
    def provider():
        return "found"

    try:
        assert [fn() for fn in hooks.get_hooks("test.decorated")] == ["found"]
    finally:
        hooks._hooks["test.decorated"].remove(provider)


def test_every_app_hooks_module_is_found():
    from amap.members.hooks import DASHBOARD_CARDS, ORGANISER_WAITING, PUBLIC_PAGES

    assert hooks.get_hooks(ORGANISER_WAITING)
    assert hooks.get_hooks(PUBLIC_PAGES)
    assert hooks.get_hooks(DASHBOARD_CARDS)
