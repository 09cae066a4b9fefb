"""Reports: plots and HTML pages built from saved runs."""
