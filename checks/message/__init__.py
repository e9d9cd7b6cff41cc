"""Loading a sample and reading its parts.

Header block, fields and addresses, the MIME walk and digests, and the recorded
Authentication-Results and Received-SPF fields.
"""
