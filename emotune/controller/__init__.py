"""The app's state and rules without a window (see ``emotune.controller.app``)."""
