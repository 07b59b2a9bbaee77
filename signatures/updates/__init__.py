"""Updates from an organisation to the signers who agreed to hear from it.

- audience.py: who an update goes to (consent standing, not erased, suppressed or stopped), counted and written down.
- compose.py: the message one signer gets, in their language, with their unsubscribe links.
- throttle.py: the provider's cap per minute, shared by every worker through Redis.
- sending.py: workers claiming batches of recipients and sending each exactly once.
- control.py: staff starting, scheduling, pausing, resuming and cancelling, in the audit log.
"""
