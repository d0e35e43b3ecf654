# t/e2e/local.mk - end-to-end tests with real Postfix, DNS, Redis
# The bed (t/lib/*.sh) proves itself first: certificates, DNS, Postfix.
TESTS += t/e2e/bed_certs.sh t/e2e/bed_dns.sh t/e2e/bed_postfix.sh
EXTRA_DIST += t/e2e/bed_certs.sh t/e2e/bed_dns.sh t/e2e/bed_postfix.sh
include t/e2e/milter.mk
include t/e2e/spf.mk
include t/e2e/dcc.mk
include t/e2e/sendmail.mk
include t/e2e/outbound.mk
include t/e2e/outbound_pipe.mk
include t/e2e/outbound_requiretls.mk
include t/e2e/event.mk
include t/e2e/dmarc.mk
include t/e2e/dkim.mk
