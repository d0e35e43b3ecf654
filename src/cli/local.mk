# src/cli/local.mk - sources of src/cli
