# src/outbound/local.mk - sources of src/outbound
