"""Zhaoshang (招商引资与重点项目管理平台)."""

__version__ = "0.1.0"
