//! End to end against the real npm oidc-provider (set up by tests/tools/oidc/setup.sh).
