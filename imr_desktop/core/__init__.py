"""Qt-free core: documents, text geometry, storage, structure, exports."""
