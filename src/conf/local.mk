# src/conf/local.mk - sources of src/conf
