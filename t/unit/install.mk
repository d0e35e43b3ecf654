# t/unit/install.mk - make install layout, the systemd units, and the
# contrib/postfix milter lines through the real Postfix bed
TESTS += t/unit/install_layout.sh t/e2e/contrib_postfix_milter.sh
EXTRA_DIST += t/unit/install_layout.sh t/e2e/contrib_postfix_milter.sh
