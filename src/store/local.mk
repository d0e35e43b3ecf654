# src/store/local.mk - sources of src/store
