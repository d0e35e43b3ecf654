# contrib/local.mk - what make install takes from contrib/: the systemd
# units (paths filled in from the configured sbindir) and the snippets
# shipped in the tarball.
# systemd reads PREFIX/lib/systemd/system for /usr and /usr/local alike;
# Debian packaging passes systemdsystemunitdir=/lib/systemd/system.
systemdsystemunitdir = $(prefix)/lib/systemd/system
systemdsystemunit_DATA = contrib/systemd/mxguardd.service contrib/systemd/mxguard-outbound.service
CLEANFILES += $(systemdsystemunit_DATA)
EXTRA_DIST += contrib/systemd/mxguardd.service.in contrib/systemd/mxguard-outbound.service.in \
	contrib/postfix/milter.main.cf contrib/postfix/milter.master.cf

contrib_unit_edit = $(MKDIR_P) contrib/systemd && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' $(srcdir)/$@.in > $@.tmp && mv $@.tmp $@
contrib/systemd/mxguardd.service: $(srcdir)/contrib/systemd/mxguardd.service.in Makefile
	$(AM_V_GEN)$(contrib_unit_edit)
contrib/systemd/mxguard-outbound.service: $(srcdir)/contrib/systemd/mxguard-outbound.service.in Makefile
	$(AM_V_GEN)$(contrib_unit_edit)
