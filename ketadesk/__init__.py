"""ketadesk: an offline desktop reference for clinicians on ketamine and esketamine."""

__version__ = "0.1.0"

DISCLAIMER = (
    "ketadesk supports clinical judgement; it does not replace it. Check every decision against "
    "the current product labels, local protocols and the patient in front of you."
)
