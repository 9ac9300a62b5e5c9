"""The one inbox and every way a message leaves the product: notifications, preferences, quiet hours,
digests, e-mail, web push and the chat vendors. It knows the other apps' messages only as kinds they
register in ``kinds`` from their ``apps.py``; it imports none of them."""
