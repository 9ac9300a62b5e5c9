"""Test support across the apps: factories, the persona world, the persona × route matrix row and a
helper that runs a test transaction's commit callbacks. Outside the app layers (beside config), so it
may build any app's rows; product code never imports it."""
