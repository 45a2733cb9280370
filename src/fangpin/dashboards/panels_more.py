"""Panels of the apps that may or may not be installed (防贫保险, 诉求, 督战): each names its app."""
