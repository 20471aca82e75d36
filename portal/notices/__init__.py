"""Proactive notices: what the agencies' kept answers say a person may claim or must renew, kept once per fact,
shown in `/inbox` and sent out by e-mail as the person chose in `/account/notifications`."""
