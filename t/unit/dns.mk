# t/unit/dns.mk - unit tests of src/dns
