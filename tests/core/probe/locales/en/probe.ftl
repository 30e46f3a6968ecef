probe-menu = Probe
probe-admin = Probe (organizer)
probe-answer = The probe answered: { $plugin }
probe-cmd = Probe command
probe-profile-title = Probe in the cabinet
