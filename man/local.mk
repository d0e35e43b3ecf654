# man/: manual pages
dist_man_MANS += man/mxguardd.8 man/mxguard-outbound.8 man/mxguard.1 man/mxguard.conf.5
