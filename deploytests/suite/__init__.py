"""The verification suite (DESIGN §5, all but the lifecycle scenarios). Uses only the plugin's public
fixtures, so it runs the same on containers (``pytest deploytests/suite``) and on real targets
(``pytest deploytests/suite --target staging``)."""
