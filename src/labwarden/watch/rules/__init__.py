"""labwarden's bundled Sigma rule pack: threats to AI research assets."""
