"""Infrastructure helpers the handlers use: settings from the environment, the clock."""
