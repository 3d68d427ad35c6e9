"""cpworkflow: an event-sourced workflow engine for child protection casework."""

__version__ = "0.1.0"
