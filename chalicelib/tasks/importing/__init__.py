"""Importing tasks from other trackers: Trello board exports and CSV files."""
