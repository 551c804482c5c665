"""Cloud identity and object-store posture: policy evaluation, escalation paths, bucket exposure.

The evaluation core is ours: :class:`~labwarden.identity.model.AccessModel` combines identity
policies, resource policies, permission boundaries and service control policies the way AWS
does for one account, with conditions it cannot evaluate reported as such.
"""
