# t/: the test suite. Each owner keeps its own fragment.
EXTRA_DIST += t/tap.h t/datafile.h t/lib t/data t/e2e t/fuzz/corpus

include t/unit/util.mk
include t/unit/cli.mk
include t/unit/conf.mk
include t/unit/dns.mk
include t/unit/store.mk
include t/unit/lists.mk
include t/unit/mail.mk
include t/unit/crypto.mk
include t/unit/rules.mk
include t/unit/pipeline.mk
include t/tools/local.mk
include t/e2e/local.mk
include t/fuzz/local.mk
include t/unit/daemon.mk
include t/unit/spf.mk
include t/unit/dcc.mk
include t/unit/outbound.mk
include t/unit/outbound_pipe.mk
include t/unit/outbound_proxy.mk
include t/unit/outbound_rtls.mk
include t/unit/event.mk
include t/unit/dmarc.mk
include t/unit/dmarc_history.mk
include t/unit/metrics.mk
include t/unit/install.mk
