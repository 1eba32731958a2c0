import logging

from gmtui.api.logs import MASK, RedactingFilter, quiet_http_loggers


def test_secrets_are_masked_in_messages_and_arguments(caplog):
    log = logging.getLogger("gmtui.test")
    redactor = RedactingFilter(["my-api-secret"])
    log.addFilter(redactor)
    with caplog.at_level(logging.DEBUG, logger="gmtui.test"):
        log.info("GET /x?partnerUserId=a&timestamp=1&signature=%s", "0cefa897946a49e8")
        log.info('body {"a":1,"signature":"03955aeac5"} key X-PARTNER-API-KEY: k-123 secret %s', "my-api-secret")
        log.info("Authorization: Bearer abc.def.ghi and eyJhbGciOi.eyJzdWIi.c2ln and refreshToken=rt_xyz")
    text = caplog.text
    for leaked in ("0cefa897946a49e8", "03955aeac5", "k-123", "my-api-secret", "abc.def.ghi", "eyJhbGciOi", "rt_xyz"):
        assert leaked not in text, leaked
    assert text.count(MASK) >= 7


def test_http_loggers_are_quiet():
    quiet_http_loggers()
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
    assert logging.getLogger("httpcore").getEffectiveLevel() >= logging.WARNING


def test_a_short_registered_secret_does_not_wreck_the_log():
    import logging

    from gmtui.api.logs import RedactingFilter

    f = RedactingFilter(["s", "a-long-secret-value"])
    record = logging.LogRecord("gmtui", logging.INFO, __file__, 1, "clock offset set; secret a-long-secret-value", None, None)
    f.filter(record)
    assert record.msg == "clock offset set; secret ***"
