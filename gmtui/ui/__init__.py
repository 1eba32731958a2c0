"""The Textual app. Screens ask the injected service; they never sign or parse."""
