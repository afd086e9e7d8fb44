package server

// FillAdmission takes every free admission slot, as requests in flight
// would, and returns a function that gives them back.
func (s *Server) FillAdmission() (release func()) {
	n := cap(s.admission.slots) - len(s.admission.slots)
	for range n {
		s.admission.slots <- struct{}{}
	}
	return func() {
		for range n {
			<-s.admission.slots
		}
	}
}

// DoorHealth is the health answer the front door writes while a queue
// stands.
func (s *Server) DoorHealth() []byte { return s.admission.healthAnswer() }
