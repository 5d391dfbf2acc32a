"""plcqi: continuous quality improvement data platform for peer learning and TA."""
__version__ = "0.1.0"
