# t/e2e/local.mk - end-to-end tests with real Postfix, DNS, Redis
