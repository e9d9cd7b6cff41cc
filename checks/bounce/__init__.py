"""Bounces, DSNs, NDRs, feedback reports and SMTP replies: detection, dialects, classification."""
