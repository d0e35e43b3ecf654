# src/milter/local.mk - sources of src/milter
