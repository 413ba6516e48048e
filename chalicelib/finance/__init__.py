"""Finance: payment requests, their approval, payment and views."""
