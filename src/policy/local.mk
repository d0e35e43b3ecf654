# src/policy/local.mk - sources of src/policy
