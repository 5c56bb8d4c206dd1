"""Teaching: the case library, quiz mode, coaching, the learning log, transcripts and lecture-room serving."""
