# src/crypto: the DKIM/ARC core (canonicalization, tag lists, signature
# headers, key records and cache, RSA/Ed25519 with OpenSSL 3), DKIM
# verify/sign and ARC verify/seal as pure functions over a message.
libmxguard_a_SOURCES += \
	src/crypto/crypto.h src/crypto/taglist.c src/crypto/canon.c src/crypto/bodyset.c \
	src/crypto/sig.c src/crypto/key.c \
	src/crypto/keysrc.c src/crypto/keysrc.h \
	src/crypto/dkim.c src/crypto/dkim.h \
	src/crypto/arc.c src/crypto/arc_seal.c src/crypto/arc.h
