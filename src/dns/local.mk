# src/dns/local.mk - sources of src/dns
