"""Study configuration: study.yml, roles, typed step parameters, the YAML loader, the skeleton."""
