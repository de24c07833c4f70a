"""The Streamlit app's own parts that are not runtime (mnist_draw/): its drawing canvas component."""
