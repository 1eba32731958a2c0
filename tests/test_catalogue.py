from gmtui.api.gomining.catalogue import CATALOGUE, Auth
from gmtui.api.gomining.client import GoMiningClient

# Every GoMining operation of api-reference.md section 1 (both variants where there are two).
EXPECTED = {
    "auth.generate_payload", "auth.check_proof", "auth.refresh.c2s", "auth.refresh.s2s", "auth.init",
    "nft.get_my.c2s", "nft.get_my.s2s", "nft.transfer", "collections.c2s", "collections.s2s",
    "payment.init", "payment.success", "income_per_th.c2s", "income_per_th.s2s", "income.total.c2s",
    "income.list.c2s", "income.list.s2s", "income.by_dates", "wallet.bind.c2s", "wallet.list.c2s",
    "wallet.bind.s2s", "wallet.list.s2s", "balances.c2s", "balances.s2s", "withdraw.create_24h",
    "withdraw.create_fast", "withdraw.commission", "incentives", "rates", "user.stats",
    "upgrade.create", "upgrade.price",
}
MONEY = {"payment.init", "payment.success", "nft.transfer", "wallet.bind.c2s", "wallet.bind.s2s",
         "withdraw.create_24h", "withdraw.create_fast", "upgrade.create"}


def test_every_operation_is_catalogued_once():
    names = [e.name for e in CATALOGUE]
    assert len(names) == len(set(names))
    assert set(names) == EXPECTED
    routes = [(e.method, e.path) for e in CATALOGUE]
    assert len(routes) == len(set(routes))


def test_money_moving_flags():
    assert {e.name for e in CATALOGUE if e.moves_money} == MONEY


def test_c2s_and_s2s_follow_the_auth_rules():
    for e in CATALOGUE:
        if e.path.startswith("/s2s/") and not e.name.startswith("auth.refresh"):
            assert e.auth in (Auth.SIGNED, Auth.API_KEY), e.name
        if e.path.startswith("/c2s/") and not e.name.startswith(("auth.generate", "auth.check")):
            assert e.auth is Auth.USER_JWT, e.name


def test_paths_not_in_the_seeds_are_marked_assumed():
    printed = {"/c2s/auth/generate-payload", "/c2s/auth/check-proof", "/c2s/auth/refresh", "/s2s/auth/refresh",
               "/s2s/auth/init", "/c2s/nft/get-my", "/s2s/nft/get-my", "/c2s/nft-collection/find-all-generative",
               "/s2s/nft-collection/find-all-generative", "/s2s/nft-payment/init", "/s2s/nft-payment/success",
               "/c2s/income-statistic/get-income-per-th", "/c2s/nft-income/find-total-by-user",
               "/c2s/nft-income/find-by-user", "/s2s/nft-income/find-by-user", "/c2s/wallet/create-btc",
               "/c2s/wallet/find-by-user", "/s2s/wallet/create-btc", "/s2s/wallet/find-by-user"}
    for e in CATALOGUE:
        if e.path not in printed:
            assert "path" in e.assumed, e.name


def test_every_operation_has_a_typed_method():
    import inspect

    source = inspect.getsource(GoMiningClient)
    for e in CATALOGUE:
        assert f'"{e.name}"' in source or e.name.startswith("withdraw.create"), e.name
    assert '"withdraw.create_fast" if fast else "withdraw.create_24h"' in source


def test_every_money_move_has_words_for_people():
    from gmtui.api.gomining.catalogue import label

    for ep in CATALOGUE:
        if ep.moves_money:
            assert ep.label and "." not in ep.label and "_" not in ep.label, ep.name
            assert label(ep.name) == ep.label
